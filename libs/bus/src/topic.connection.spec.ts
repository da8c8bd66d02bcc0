import { describe, expect, it } from 'vitest';
import { topicMatches, unwrapBusMessage } from './topic.connection.js';

describe('topicMatches', () => {
  it.each([
    ['cameramonit/plugins/+/+', 'cameramonit/plugins/colours/result', true],
    ['cameramonit/plugins/+/+', 'cameramonit/plugins/colours', false],
    ['cameramonit/plugins/+/+', 'cameramonit/plugins/colours/result/x', false],
    ['cameramonit/#', 'cameramonit/plugins/colours/result', true],
    ['cameramonit/event/created', 'cameramonit/event/created', true],
    ['cameramonit/event/created', 'cameramonit/event/updated', false],
  ])('%s ~ %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('unwrapBusMessage', () => {
  it('takes data out of the {pattern, data} envelope and leaves bare payloads alone', () => {
    expect(unwrapBusMessage({ pattern: 't', data: { a: 1 } })).toEqual({ a: 1 });
    expect(unwrapBusMessage({ a: 1 })).toEqual({ a: 1 });
  });
});
