import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cameraFileToLoop } from './camera-file.js';

const root = mkdtempSync(join(tmpdir(), 'cm-camera-files-'));
mkdirSync(join(root, 'videos'));
writeFileSync(join(root, 'videos', 'gate.mp4'), 'video');
writeFileSync(join(root, 'secrets.json'), '{"JWT_SECRET":"x"}');
symlinkSync(join(root, 'secrets.json'), join(root, 'videos', 'innocent.mp4'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('cameraFileToLoop', () => {
  it('loops a video inside CAMERA_FILES_DIR, given relative to the working directory or absolute', () => {
    expect(cameraFileToLoop('videos/gate.mp4', 'videos', root)).toEqual({ file: join(root, 'videos', 'gate.mp4'), problem: null });
    expect(cameraFileToLoop(join(root, 'videos', 'gate.mp4'), 'videos', root).file).toBe(join(root, 'videos', 'gate.mp4'));
  });

  it('refuses paths outside it, addresses, a missing file and a link that leads out', () => {
    expect(cameraFileToLoop('secrets.json', 'videos', root).problem).toMatch(/must be a video inside .*videos \(CAMERA_FILES_DIR\); secrets.json is not/);
    expect(cameraFileToLoop('videos/../secrets.json', 'videos', root).problem).toMatch(/CAMERA_FILES_DIR/);
    expect(cameraFileToLoop('/etc/passwd', 'videos', root).problem).toMatch(/CAMERA_FILES_DIR/);
    expect(cameraFileToLoop('videos', 'videos', root).problem).toMatch(/CAMERA_FILES_DIR/);
    expect(cameraFileToLoop('file:///etc/passwd', 'videos', root).problem).toMatch(/not an address \(file:\)/);
    expect(cameraFileToLoop('videos/none.mp4', 'videos', root).problem).toBe('the file videos/none.mp4 does not exist');
    expect(cameraFileToLoop('videos/innocent.mp4', 'videos', root).problem).toMatch(/leads outside videos \(CAMERA_FILES_DIR\) through a link/);
  });
});
