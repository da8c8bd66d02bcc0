import { describe, expect, it } from 'vitest';
import { LineSplitter } from './plugin-process.driver.js';

describe('LineSplitter', () => {
  it('splits chunks into lines, across chunk borders, without the CR of CRLF', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(100, (line) => lines.push(line));
    splitter.push('one\ntw');
    splitter.push('o\r\nthree');
    splitter.flush();
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('cuts an endless line and drops the rest of it, holding no more than the cap', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(10, (line) => lines.push(line));
    for (let i = 0; i < 1000; i++) splitter.push('x'.repeat(1000));
    splitter.push('tail\nnext\n');
    expect(lines).toEqual([`${'x'.repeat(10)}… (line cut)`, 'next']);
  });
});

describe('crashReason', () => {
  it("picks the error message of a crash, not node's footer or the stack", async () => {
    const { crashReason } = await import('./plugin-supervisor.js');
    expect(crashReason(['file:///p/index.js:2', "throw new Error('cannot load my model');", '^', '', 'Error: cannot load my model', 'at file:///p/index.js:2:7', 'Node.js v20.20.2'])).toBe('Error: cannot load my model');
    expect(crashReason(['about to fall over'])).toBe('about to fall over');
    expect(crashReason([])).toBeNull();
  });
});
