import { describe, expect, it } from 'vitest';
import { composeEventEmail } from './email.composer.js';

const event = {
  id: '97bb734a-ea8e-458c-9ed9-d3f97bf49d89',
  cameraId: '4039e151-edf0-4349-9225-6641ffde01e5',
  summary: '2 people walked from right to left <b>',
  label: 'person',
  startedAt: new Date('2026-11-22T22:15:30Z'),
  endedAt: new Date('2026-11-22T22:15:38Z'),
};

describe('composeEventEmail', () => {
  it('says what happened where and when, links to the event in the chat and shows the snapshot inline', () => {
    const mail = composeEventEmail({ event, cameraName: 'Gate', projectName: 'Home', publicUrl: 'https://cm.example.com', snapshot: Buffer.from([0xff, 0xd8]), timeZone: 'UTC' });
    expect(mail.subject).toBe('[Gate] 2 people walked from right to left <b>');
    expect(mail.link).toBe(`https://cm.example.com/#/cameras/${event.cameraId}/events/${event.id}`);
    expect(mail.text).toContain('22 Nov 2026, 22:15:30');
    expect(mail.text).toContain(mail.link);
    expect(mail.html).toContain(`cid:snapshot-${event.id}`);
    expect(mail.html).toContain('&lt;b&gt;');
    expect(mail.html).not.toContain('<b>');
    expect(mail.attachments).toEqual([{ filename: 'snapshot.jpg', content: Buffer.from([0xff, 0xd8]), cid: `snapshot-${event.id}`, contentType: 'image/jpeg' }]);
  });

  it('still links to the event when there is no snapshot', () => {
    const mail = composeEventEmail({ event, cameraName: 'Gate', projectName: 'Home', publicUrl: 'http://localhost:3000', snapshot: null });
    expect(mail.attachments).toEqual([]);
    expect(mail.html).not.toContain('cid:');
    expect(mail.html).toContain(mail.link);
  });
});
