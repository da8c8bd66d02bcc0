import { describe, expect, it } from 'vitest';
import { defaultVisionModelOptions, parseVisionModelOptions, readVisionModelOptions } from './description.js';

describe('vision model options', () => {
  it('fills what is not given from the base, skipping undefined fields', () => {
    expect(parseVisionModelOptions({ maxImages: 2, timeoutSec: undefined })).toEqual({ ...defaultVisionModelOptions, maxImages: 2 });
    expect(parseVisionModelOptions(null)).toEqual(defaultVisionModelOptions);
  });

  it('names every wrong field', () => {
    expect(() => parseVisionModelOptions({ maxImages: 0, timeoutSec: 1.5, colour: 'red' })).toThrow(
      'maxImages must be a whole number from 1 to 8; timeoutSec must be a whole number from 5 to 300; colour is not an option (use maxImages, timeoutSec, maxAttempts)',
    );
  });

  it('reads a damaged stored value as the defaults', () => {
    expect(readVisionModelOptions('{not json')).toEqual(defaultVisionModelOptions);
    expect(readVisionModelOptions('{"maxAttempts":2}')).toEqual({ ...defaultVisionModelOptions, maxAttempts: 2 });
  });
});
