import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, fillRect, type RgbImage } from '@cameramonit/plugin-sdk';
import { clothingColour } from './clothing-colour.handler.js';
import { dominantColour, nameColour, upperBodyRegion } from './dominant-colour.js';

describe('nameColour', () => {
  it.each([
    [[200, 30, 30], 'red'],
    [[150, 20, 25], 'red'],
    [[110, 60, 30], 'brown'],
    [[240, 140, 20], 'orange'],
    [[230, 210, 40], 'yellow'],
    [[40, 140, 50], 'green'],
    [[30, 70, 190], 'blue'],
    [[139, 176, 209], 'blue'],
    [[120, 50, 160], 'purple'],
    [[235, 120, 180], 'pink'],
    [[20, 22, 25], 'black'],
    [[45, 40, 42], 'black'],
    [[128, 128, 128], 'grey'],
    [[235, 235, 230], 'white'],
  ] as const)('%j is %s', (rgb, name) => {
    expect(nameColour(rgb[0], rgb[1], rgb[2])).toBe(name);
  });

  it('keeps the name of a shaded red jacket, light and dark', () => {
    expect([nameColour(230, 60, 60), nameColour(180, 25, 30), nameColour(120, 15, 20)]).toEqual(['red', 'red', 'red']);
  });
});

/** A person on a grey pavement: skin head, jacket, jeans, inside a box with a 10% margin around it. */
function syntheticPerson(jacket: [number, number, number]): { image: RgbImage; person: { x: number; y: number; width: number; height: number } } {
  const width = 60;
  const height = 120;
  const image: RgbImage = { width, height, rgb: new Uint8Array(width * height * 3) };
  fillRect(image, 0, 0, width, height, [125, 128, 126]); // pavement
  for (let i = 0; i < image.rgb.length; i += 3) image.rgb[i] = Math.min(255, (image.rgb[i] as number) + ((i / 3) % 7) * 3); // a little noise
  const px = { x: 5, y: 8, width: 50, height: 104 };
  fillRect(image, px.x + 18, px.y, 14, 16, [224, 172, 140]); // head
  fillRect(image, px.x + 8, px.y + 16, 34, 40, jacket); // jacket
  fillRect(image, px.x + 8, px.y + 28, 34, 6, [jacket[0] * 0.6, jacket[1] * 0.6, jacket[2] * 0.6]); // a fold in shadow
  fillRect(image, px.x + 12, px.y + 56, 26, 48, [40, 60, 120]); // jeans
  return { image, person: { x: px.x / width, y: px.y / height, width: px.width / width, height: px.height / height } };
}

describe('dominantColour of the upper body', () => {
  it('names a red jacket red, not the pavement, the head or the jeans', () => {
    const { image, person } = syntheticPerson([200, 30, 35]);
    const colour = dominantColour(image, upperBodyRegion(image, person));
    expect(colour.name).toBe('red');
    expect(colour.share).toBeGreaterThan(0.6);
    expect(colour.hex).toMatch(/^#[89a-c][0-9a-f]1[0-9a-f]/);
  });

  it.each([
    [[30, 80, 200], 'blue'],
    [[40, 140, 50], 'green'],
    [[240, 240, 240], 'white'],
    [[25, 25, 28], 'black'],
    [[230, 210, 40], 'yellow'],
  ] as const)('a %j jacket is %s', (jacket, name) => {
    const { image, person } = syntheticPerson([...jacket]);
    expect(dominantColour(image, upperBodyRegion(image, person)).name).toBe(name);
  });
});

describe('the clothing-colour handler', () => {
  it('answers a request with the feature and an annotated PNG (the crop with the swatch below)', () => {
    const { image, person } = syntheticPerson([200, 30, 35]);
    const crop = { x: 0.2, y: 0.1, width: 0.1, height: 0.3 };
    const answer = clothingColour({
      requestId: 'r1',
      plugin: 'clothing-colour',
      deadline: new Date(Date.now() + 10_000).toISOString(),
      event: {
        id: 'e1', cameraId: 'c1', cameraName: 'gate', clipId: 'k1', kind: 'object', label: 'person', count: 1, confidence: 0.9, direction: 'left-to-right',
        startedAt: '', endedAt: '', startSec: 0, endSec: 2, summary: { en: '', pl: '' },
        box: { x: crop.x + person.x * crop.width, y: crop.y + person.y * crop.height, width: person.width * crop.width, height: person.height * crop.height },
      },
      crop: { contentType: 'image/png', width: image.width, height: image.height, data: encodePng(image).toString('base64'), box: crop },
    });
    expect(answer.features).toMatchObject({ clothingColour: 'red' });
    const annotated = decodePng(Buffer.from(answer.images?.[0]?.data ?? '', 'base64'));
    expect(annotated.width).toBe(image.width);
    expect(annotated.height).toBeGreaterThan(image.height);
    const last = (annotated.width * (annotated.height - 1) + 2) * 3;
    expect(nameColour(annotated.rgb[last] as number, annotated.rgb[last + 1] as number, annotated.rgb[last + 2] as number)).toBe('red');
    expect(answer.images?.[0]?.caption).toMatch(/red \/ czerwony/);
  });

  it('says why when the event has no picture', () => {
    const answer = clothingColour({ requestId: 'r', plugin: 'p', deadline: '', event: { box: null } } as never);
    expect(answer).toMatchObject({ ok: false, error: expect.stringMatching(/no picture/) });
  });
});
