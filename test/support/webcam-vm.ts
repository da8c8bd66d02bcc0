import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import { repoRoot } from './platform.harness.js';

/**
 * A second machine with a webcam, for the tests of webcams: a qemu virtual machine that boots
 * Debian's kernel (scripts/vm-kernel.sh unpacks it into .cache/vm-kernel), loads Linux's virtual
 * video driver vivid, whose /dev/video0 is a V4L2 capture device like a USB webcam's (a test
 * picture with a moving clock), and runs one command of this machine's: the machine's root is this
 * machine's, shared read-only over 9p (so node, ffmpeg and the built apps are the same), with its
 * own /dev, network and a writable /run (TMPDIR and HOME are there; /tmp is this machine's, read-only). From inside, this machine is 10.0.2.2 (qemu's user network: its
 * 127.0.0.1 services, MariaDB, the broker, storage); `forwards` makes the machine's ports reachable
 * here on 127.0.0.1. Software emulation (this machine's /dev/kvm does not run guests): it boots in
 * about 10 s and node starts in about 30.
 */
export interface WebcamVmOptions {
  /** a shell command run in the repository, as root, once the machine is up (its output is the VM's) */
  command: string;
  /** environment of the command */
  env?: Record<string, string>;
  /** host port -> guest port, TCP, on 127.0.0.1 here */
  forwards?: { hostPort: number; guestPort: number }[];
  memoryMb?: number;
}

export interface RunningWebcamVm {
  /** what the machine printed on its console (the kernel's messages, the command's output), without colours */
  output: string[];
  /** the machine's end: qemu's exit code */
  exited: Promise<number | null>;
  /** the machine is still on (its command has not ended) */
  running(): boolean;
  stop(): Promise<void>;
}

const busybox = '/bin/busybox';
const qemu = 'qemu-system-x86_64';
/** what the machine loads: PCI virtio, its network card, 9p for the shared root, the virtual webcam */
const modules = ['virtio_pci', 'virtio_net', '9pnet_virtio', '9p', 'vivid'];

/** Why the machine cannot start here, with what to install; null when it can. */
export function webcamVmMissing(): string | null {
  if (spawnSync(qemu, ['--version']).status !== 0) return `${qemu} is missing: apt-get install qemu-system-x86 (.ci/run does)`;
  if (!existsSync(busybox) || !/static/.test(spawnSync('file', ['-L', busybox]).stdout?.toString() ?? 'static')) return `${busybox} is missing: apt-get install busybox-static (.ci/run does)`;
  if (!kernel()) return 'no kernel for the webcam machine in .cache/vm-kernel: run scripts/vm-kernel.sh (.ci/run does)';
  return null;
}

function kernel(): { dir: string; version: string } | null {
  const root = process.env.VM_KERNEL_DIR ?? join(repoRoot, '.cache', 'vm-kernel');
  if (!existsSync(root)) return null;
  const version = readdirSync(root).filter((name) => existsSync(join(root, name, 'vmlinuz'))).sort().at(-1);
  return version ? { dir: join(root, version), version } : null;
}

export async function startWebcamVm(options: WebcamVmOptions): Promise<RunningWebcamVm> {
  const missing = webcamVmMissing();
  if (missing) throw new Error(`The webcam machine cannot start: ${missing}`);
  const { dir, version } = kernel() as { dir: string; version: string };
  const work = mkdtempSync(join(tmpdir(), 'cm-webcam-vm-'));
  const shared = join(work, 'shared');
  mkdirSync(shared);
  // the machine's writable space is /run (a tmpfs): its /tmp is this machine's, where the repository may be (CI clones into /tmp)
  const env = Object.entries({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/run/home', TMPDIR: '/run/tmp', TZ: process.env.TZ ?? 'UTC', ...(options.env ?? {}) })
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
    .join('\n');
  writeFileSync(join(shared, 'run.sh'), `#!/bin/sh\n${env}\nmkdir -p "$HOME" "$TMPDIR"\ncd ${shellQuote(repoRoot)} || exit 1\n${options.command}\n`);
  chmodSync(join(shared, 'run.sh'), 0o755);

  const initrd = join(work, 'initrd.cpio.gz');
  writeFileSync(initrd, buildInitramfs(join(work, 'initramfs'), dir, version));

  const forwards = (options.forwards ?? []).map(({ hostPort, guestPort }) => `,hostfwd=tcp:127.0.0.1:${hostPort}-:${guestPort}`).join('');
  const child: ChildProcess = spawn(
    qemu,
    [
      '-accel', 'tcg', '-smp', '2', '-m', String(options.memoryMb ?? 2048),
      '-nographic', '-no-reboot', '-nodefaults', '-serial', 'stdio',
      '-kernel', join(dir, 'vmlinuz'), '-initrd', initrd,
      '-append', 'console=ttyS0 quiet panic=-1',
      '-nic', `user,model=virtio-net-pci${forwards}`,
      '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
      '-virtfs', `local,path=${shared},mount_tag=shared,security_model=none`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    if (!stream) return;
    createInterface({ input: stream }).on('line', (line) => {
      const clean = line.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').replace(/\r/g, '');
      output.push(clean);
      if (process.env.E2E_VERBOSE) process.stdout.write(`[webcam vm] ${clean}\n`);
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  return {
    output,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
        await exited;
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * The machine's first file system: busybox, the kernel modules, and an init that loads them,
 * mounts this machine's root (read-only) with its own /proc, /sys, /dev (vivid's /dev/video0),
 * /run and the shared folder on /mnt, brings the network up and runs /mnt/run.sh there.
 */
function buildInitramfs(root: string, kernelDir: string, version: string): Buffer {
  for (const folder of ['bin', 'dev', 'proc', 'sys', 'newroot', 'lib/modules']) mkdirSync(join(root, folder), { recursive: true });
  copyFileSync(busybox, join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  for (const applet of ['sh', 'mount', 'modprobe', 'depmod', 'ip', 'switch_root', 'echo', 'cat', 'poweroff', 'hostname']) symlinkSync('busybox', join(root, 'bin', applet));
  cpSync(join(kernelDir, 'lib', 'modules', version), join(root, 'lib', 'modules', version), { recursive: true });
  const init = [
    '#!/bin/sh',
    'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev',
    'hostname webcam-vm',
    'depmod',
    `for m in ${modules.join(' ')}; do modprobe $m || echo "webcam-vm: modprobe $m failed"; done`,
    'mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /newroot || echo "webcam-vm: the shared root did not mount"',
    'mount -t proc proc /newroot/proc; mount -t sysfs sys /newroot/sys; mount -t devtmpfs dev /newroot/dev; mount -t tmpfs run /newroot/run',
    'mount -t 9p -o trans=virtio,version=9p2000.L shared /newroot/mnt || echo "webcam-vm: the shared folder did not mount"',
    'ip link set lo up; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2',
    'echo "webcam-vm: up"',
    'exec switch_root /newroot /bin/sh -c "/mnt/run.sh; echo webcam-vm: the command ended with \\$?; /bin/busybox poweroff -f"',
  ].join('\n');
  writeFileSync(join(root, 'init'), `${init}\n`);
  chmodSync(join(root, 'init'), 0o755);
  const files = spawnSync('find', ['.'], { cwd: root }).stdout;
  const cpio = spawnSync(busybox, ['cpio', '-o', '-H', 'newc'], { cwd: root, input: files, maxBuffer: 512 * 1024 * 1024 });
  if (cpio.status !== 0) throw new Error(`busybox cpio failed: ${cpio.stderr.toString()}`);
  return gzipSync(cpio.stdout, { level: 1 });
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
