import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createInterface } from 'node:readline';

/**
 * Test hosts on one machine: a Linux bridge with an address of its own (this machine, the
 * gateway), and a network namespace per host joined to it by a veth pair, with one address and a
 * default route through the bridge. Processes started on a host see only its address and the
 * others' (127.0.0.1 is the host's own). Needs root and iproute2 (`ip netns`).
 */
export interface HostNetwork {
  /** the first three octets of the hosts' addresses, e.g. "10.213.41" */
  prefix: string;
  /** this machine's address on the bridge (the hosts reach its services there) */
  gateway: string;
  hosts: Record<string, { netns: string; address: string }>;
  /** starts a program on a host; its output lines go to `onLine` */
  run(host: string, command: string, args: string[], options: { env: Record<string, string>; onLine?: (line: string) => void }): ChildProcess;
  /** cuts a host off the network (its link down) or joins it again */
  setLink(host: string, up: boolean): void;
  /** removes the namespaces and the bridge (the processes started on them must have ended) */
  close(): void;
}

export function hostNetworkMissing(): string | null {
  if (process.getuid?.() !== 0) return 'test hosts need root (ip netns)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'test hosts need iproute2 (apt-get install iproute2)';
  }
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** Hosts by name and last octet of their address (2-254; 1 is the gateway). */
export function startHostNetwork(hostOctets: Record<string, number>): HostNetwork {
  const tag = randomInt(0x1000, 0xffff).toString(16);
  // a /24 no route of this machine covers yet
  const routes = execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' });
  let prefix = '';
  for (let attempt = 0; attempt < 50 && !prefix; attempt++) {
    const candidate = `10.${randomInt(200, 250)}.${randomInt(1, 250)}`;
    if (!routes.includes(`${candidate}.`)) prefix = candidate;
  }
  if (!prefix) throw new Error('no free 10.x.y.0/24 for the test hosts');
  const bridge = `cmbr${tag}`;
  const hosts: HostNetwork['hosts'] = {};
  const made: string[] = [];
  const close = () => {
    for (const netns of made) execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
    made.length = 0;
    try {
      ip('link', 'del', bridge);
    } catch {
      // not made, or gone
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${prefix}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    Object.entries(hostOctets).forEach(([name, octet], index) => {
      const netns = `cm${tag}-${name}`;
      const outside = `cm${tag}h${index}`;
      ip('netns', 'add', netns);
      made.push(netns);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
      ip('link', 'set', outside, 'master', bridge);
      ip('link', 'set', outside, 'up');
      const inside = (...args: string[]) => ip('netns', 'exec', netns, 'ip', ...args);
      inside('link', 'set', 'lo', 'up');
      inside('addr', 'add', `${prefix}.${octet}/24`, 'dev', 'eth0');
      inside('link', 'set', 'eth0', 'up');
      inside('route', 'add', 'default', 'via', `${prefix}.1`);
      hosts[name] = { netns, address: `${prefix}.${octet}` };
    });
  } catch (error) {
    close();
    throw error;
  }
  return {
    prefix,
    gateway: `${prefix}.1`,
    hosts,
    run(host, command, args, options) {
      const child = spawn('ip', ['netns', 'exec', hosts[host].netns, command, ...args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
      for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream as NodeJS.ReadableStream }).on('line', (line) => options.onLine?.(line));
      return child;
    },
    setLink(host, up) {
      ip('netns', 'exec', hosts[host].netns, 'ip', 'link', 'set', 'eth0', up ? 'up' : 'down');
      if (up) ip('netns', 'exec', hosts[host].netns, 'ip', 'route', 'replace', 'default', 'via', `${prefix}.1`);
    },
    close,
  };
}
