import { describe, expect, it } from 'vitest';
import { runEvalCommand } from './eval.command.js';

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } } };
};

describe('cameramonit eval: options', () => {
  it('names --detector-size in its help', async () => {
    const run = io();
    expect(await runEvalCommand(['--help'], run.io)).toBe(0);
    expect(run.out.join('')).toContain('--detector-size');
  });

  it.each(['300', '64', '1024', 'big'])('refuses --detector-size %s with what it must be (exit 2)', async (value) => {
    const run = io();
    expect(await runEvalCommand(['--detector-size', value], run.io)).toBe(2);
    expect(run.err.join('')).toContain('--detector-size must be a multiple of 32 from 128 to 512');
  });
});
