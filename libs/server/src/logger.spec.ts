import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceLogger } from './logger.js';

describe('ServiceLogger', () => {
  const written: string[] = [];
  afterEach(() => {
    written.length = 0;
    vi.restoreAllMocks();
  });
  const capture = () => {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
  };

  it('never prints a secret or a URL password', () => {
    process.env.JWT_SECRET = 'a-very-secret-signing-key';
    capture();
    new ServiceLogger('chat', 'log').log('signing with a-very-secret-signing-key via smtp://mailer:hunter22@mail:587', 'Test');
    const out = written.join('');
    expect(out).toContain('smtp://mailer:***@mail:587');
    expect(out).not.toContain('a-very-secret-signing-key');
    expect(out).not.toContain('hunter22');
    delete process.env.JWT_SECRET;
  });

  it("keeps Nest's start-up chatter for debug", () => {
    capture();
    new ServiceLogger('chat', 'log').log('Mapped {/api/cameras, GET} route', 'RouterExplorer');
    new ServiceLogger('chat', 'log').log('Stored clip', 'ClipIngestService');
    expect(written.join('')).not.toContain('Mapped');
    expect(written.join('')).toContain('Stored clip');
    written.length = 0;
    new ServiceLogger('chat', 'debug').log('Mapped {/api/cameras, GET} route', 'RouterExplorer');
    expect(written.join('')).toContain('Mapped');
  });
});
