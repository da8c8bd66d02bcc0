// Answers at once: what it was sent, as features (and, for events it is told to, an object and an event).
import { runPlugin } from '@cameramonit/plugin-sdk';

await runPlugin((request) => ({
  features: {
    seenLabel: request.event.label,
    snapshotWidth: request.snapshot?.width ?? 0,
    frames: (request.frames ?? []).map((f) => `${f.sec}s:${f.width}x${f.height}:${f.contentType}`).join(' '),
    clipUrl: request.clipUrl ?? '',
  },
  ...(request.event.count > 1
    ? {
        objects: [{ label: 'hat', confidence: 0.7, box: { x: 0.1, y: 0.1, width: 0.1, height: 0.1 } }],
        events: [{ label: 'group', summary: { en: 'A group of people', pl: 'Grupa osób' } }],
      }
    : {}),
}));
