import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { can, Permission } from './permissions.js';
import { SecretBox } from './secret-box.js';
import { TokenService } from './tokens.js';

describe('passwords', () => {
  it('verifies the right password only', async () => {
    const stored = await hashPassword('correct horse');
    expect(stored).toMatch(/^scrypt\$/);
    expect(stored).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('Correct horse', stored)).toBe(false);
    expect(await verifyPassword('correct horse', 'garbage')).toBe(false);
  });

  it('generates different readable passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/);
    expect(generatePassword()).not.toBe(a);
  });
});

describe('SecretBox', () => {
  it('round-trips, hides the clear text and refuses a wrong key or tampering', () => {
    const box = new SecretBox('key-one');
    const sealed = box.seal('camera-password-123');
    expect(sealed).not.toContain('camera-password-123');
    expect(box.open(sealed)).toBe('camera-password-123');
    expect(() => new SecretBox('key-two').open(sealed)).toThrow();
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => box.open(tampered)).toThrow();
  });
});

describe('TokenService', () => {
  const tokens = new TokenService('s'.repeat(32), 1);
  const user = { id: 'u1', email: 'a@b.c', displayName: 'Ann', role: 'customer' as const };

  it('accepts its own tokens and refuses forged or foreign ones', () => {
    expect(tokens.verify(tokens.sign(user))).toEqual(user);
    expect(new TokenService('x'.repeat(32)).verify(tokens.sign(user))).toBeNull();
    expect(tokens.verify('not.a.token')).toBeNull();
    expect(tokens.verify(tokens.sign(user, -10))).toBeNull();
  });

  it('signs media paths with an expiry', () => {
    const { exp, sig } = tokens.signMedia('demo/demo/clips/a.mp4', 60, 1_000_000);
    expect(tokens.verifyMedia('demo/demo/clips/a.mp4', exp, sig, 1_000_000)).toBe(true);
    expect(tokens.verifyMedia('demo/demo/clips/b.mp4', exp, sig, 1_000_000)).toBe(false);
    expect(tokens.verifyMedia('demo/demo/clips/a.mp4', exp, sig, 1_000_000 + 61_000)).toBe(false);
  });
});

describe('role map', () => {
  it('lets customers read and ask but not upload or manage', () => {
    expect(can('customer', Permission.camerasRead)).toBe(true);
    expect(can('customer', Permission.videosUpload)).toBe(false);
    expect(can('customer', Permission.projectsManage)).toBe(false);
    expect(can('admin', Permission.projectsManage)).toBe(true);
    expect(can('admin', Permission.storageAll)).toBe(false);
    expect(can('service', Permission.storageAll)).toBe(true);
  });
});
