import { describe, expect, it } from 'vitest';
import { CameramonitError } from './errors.js';
import { defaultCameraAnalysisSettings, parseCameraAnalysisSettings } from './analysis-settings.js';

function problemOf(input: unknown): string {
  try {
    parseCameraAnalysisSettings(input);
  } catch (error) {
    expect(error).toBeInstanceOf(CameramonitError);
    expect((error as CameramonitError).code).toBe('INVALID_ANALYSIS_SETTINGS');
    expect((error as CameramonitError).httpStatus).toBe(400);
    return (error as Error).message;
  }
  throw new Error('expected the settings to be refused');
}

describe('parseCameraAnalysisSettings', () => {
  it('fills what is not given from the defaults', () => {
    const settings = parseCameraAnalysisSettings({ minConfidence: 0.6 });
    expect(settings).toEqual({ ...defaultCameraAnalysisSettings, minConfidence: 0.6 });
    expect(parseCameraAnalysisSettings(null)).toEqual(defaultCameraAnalysisSettings);
  });

  it('keeps a partial change on top of earlier settings', () => {
    const earlier = parseCameraAnalysisSettings({ classes: ['person'], motionEvents: true });
    const later = parseCameraAnalysisSettings({ minConfidence: 0.5 }, earlier);
    expect(later.classes).toEqual(['person']);
    expect(later.motionEvents).toBe(true);
    expect(later.minConfidence).toBe(0.5);
  });

  it('accepts zones and masks in fractions of the picture and normalises labels', () => {
    const settings = parseCameraAnalysisSettings({
      classes: [' Person', 'car', 'car'],
      zones: [{ name: 'gate', polygon: [[0, 0], [0.5, 0], [0.5, 1]], loiterSec: 30 }],
      masks: [[[0.8, 0], [1, 0], [1, 0.3]]],
      fps: 2,
      width: 480,
      prompt: '  Tell deliveries apart from visitors. ',
    });
    expect(settings.classes).toEqual(['person', 'car']);
    expect(settings.zones).toEqual([{ name: 'gate', polygon: [[0, 0], [0.5, 0], [0.5, 1]], loiterSec: 30 }]);
    expect(settings.masks).toHaveLength(1);
    expect(settings.prompt).toBe('Tell deliveries apart from visitors.');
  });

  it('lists every problem with the field and what to fix', () => {
    const message = problemOf({
      classes: ['person', 'unicorn'],
      minConfidence: 2,
      motionSensitivity: 0,
      zones: [{ name: '', polygon: [[0, 0], [2, 0], [1, 1]] }],
      masks: [[[0, 0], [0.5, 0.5], [1, 1]]],
      colour: 'red',
    });
    expect(message).toContain('"unicorn" is not');
    expect(message).toContain('minConfidence must be a number from 0.05 to 0.99');
    expect(message).toContain('motionSensitivity must be a whole number from 1');
    expect(message).toContain('zones[0].name');
    expect(message).toContain('zones[0].polygon[1] must be [x, y] with x and y from 0 to 1');
    expect(message).toContain('masks[0] encloses no area');
    expect(message).toContain('colour is not an analysis setting');
  });

  it('refuses two zones of one name and non-objects', () => {
    const square = [[0, 0], [1, 0], [1, 1], [0, 1]];
    expect(problemOf({ zones: [{ name: 'Gate', polygon: square }, { name: 'gate', polygon: square }] })).toContain('used by another zone');
    expect(problemOf([1, 2])).toContain('must be a JSON object');
  });
});
