import { describe, expect, it } from 'vitest';
import { safeFileName } from './upload.forwarder.js';

describe('safeFileName', () => {
  it('keeps the name people recognise, in any script', () => {
    expect(safeFileName('brama wieczór.mp4')).toBe('brama wieczór.mp4');
  });

  it('drops folders, path tricks and odd characters', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Users\\ann\\clip.mp4')).toBe('clip.mp4');
    expect(safeFileName('..hidden.mp4')).toBe('hidden.mp4');
    expect(safeFileName('a\u0000b<>|.mp4')).toBe('a_b_.mp4');
  });

  it('names a file that has no usable name', () => {
    expect(safeFileName('')).toMatch(/^upload-\d+\.bin$/);
    expect(safeFileName(undefined)).toMatch(/^upload-\d+\.bin$/);
  });
});
