import { describe, expect, it } from 'vitest';
import type { InitSegmentInfo } from '@cameramonit/media';
import { LiveHub, type LiveViewer } from './live-hub.js';

const info = { trackId: 1, timescale: 90_000, sampleEntry: 'avc1', codec: 'avc1.64001f', width: 640, height: 360, browserPlayable: true, defaultSampleDuration: 0, defaultSampleFlags: 0, sps: null, nalLengthSize: 4 } satisfies InitSegmentInfo;

function viewer(full = () => false): LiveViewer & { got: string[]; ended: boolean } {
  const got: string[] = [];
  const self = { got, ended: false, write: (bytes: Buffer) => (got.push(bytes.toString()), !full()), end: () => void (self.ended = true) };
  return self;
}

describe('LiveHub', () => {
  it('gives a viewer who joins the init segment and the fragments since the newest key frame, then each as it comes', () => {
    const hub = new LiveHub();
    hub.start(Buffer.from('init'), info);
    hub.fragment(Buffer.from('k0'), true, 0);
    hub.fragment(Buffer.from('p0a'), false, 0.5);
    hub.fragment(Buffer.from('k1'), true, 2);
    hub.fragment(Buffer.from('p1a'), false, 2.5);
    hub.fragment(Buffer.from('p1b'), false, 3);
    expect(hub.keyFrameIntervalSec).toBe(2);
    const late = viewer();
    expect(hub.join(late)).toBe(true);
    hub.fragment(Buffer.from('p1c'), false, 3.5);
    expect(late.got).toEqual(['init', 'k1', 'p1a', 'p1b', 'p1c']);
  });

  it('a viewer who joins before any key frame, or falls behind, waits for the next key frame', () => {
    const hub = new LiveHub();
    hub.start(Buffer.from('init'), info);
    hub.fragment(Buffer.from('p'), false, 0);
    const early = viewer();
    hub.join(early);
    hub.fragment(Buffer.from('p2'), false, 0.5);
    hub.fragment(Buffer.from('k'), true, 1);
    expect(early.got).toEqual(['init', 'k']);
    let full = true;
    const slow = viewer(() => full);
    hub.join(slow);
    hub.fragment(Buffer.from('q'), false, 1.5);
    full = false;
    hub.fragment(Buffer.from('r'), false, 2);
    hub.fragment(Buffer.from('k2'), true, 3);
    // 'q' filled its buffer: nothing until the next key frame
    expect(slow.got).toEqual(['init', 'k', 'k2']);
  });

  it('a new stream ends the viewers and forgets the old stream', () => {
    const hub = new LiveHub();
    hub.start(Buffer.from('init'), info);
    hub.fragment(Buffer.from('k'), true, 0);
    hub.fragment(Buffer.from('k'), true, 1);
    const one = viewer();
    hub.join(one);
    hub.start(Buffer.from('init2'), info);
    expect(one.ended).toBe(true);
    expect(hub.keyFrameIntervalSec).toBeNull();
    const two = viewer();
    hub.join(two);
    expect(two.got).toEqual(['init2']);
  });
});
