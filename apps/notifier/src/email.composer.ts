import type { EventEntity } from '@cameramonit/db';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The email for one event: summary, time, snapshot inline, a link to the event in the chat. Pure. */
export function composeEventEmail(input: {
  event: Pick<EventEntity, 'id' | 'cameraId' | 'summary' | 'startedAt' | 'endedAt' | 'label'>;
  cameraName: string;
  projectName: string;
  publicUrl: string;
  snapshot: Buffer | null;
  timeZone?: string;
}): { subject: string; text: string; html: string; link: string; attachments: { filename: string; content: Buffer; cid: string; contentType: string }[] } {
  const { event } = input;
  const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: input.timeZone }).format(event.startedAt);
  const link = `${input.publicUrl}/#/cameras/${event.cameraId}/events/${event.id}`;
  const subject = `[${input.cameraName}] ${event.summary}`;
  const text = [`${input.projectName} / ${input.cameraName}`, `${when}: ${event.summary}`, '', `See it in the chat: ${link}`].join('\n');
  const html = [
    `<p style="color:#555;margin:0 0 4px">${escapeHtml(input.projectName)} / ${escapeHtml(input.cameraName)} &middot; ${escapeHtml(when)}</p>`,
    `<p style="font-size:16px;margin:0 0 12px"><strong>${escapeHtml(event.summary)}</strong></p>`,
    input.snapshot ? `<p><a href="${link}"><img src="cid:snapshot-${event.id}" alt="${escapeHtml(event.summary)}" style="max-width:100%;border-radius:6px"></a></p>` : '',
    `<p><a href="${link}">Open the event in the camera's chat</a></p>`,
  ].join('\n');
  const attachments = input.snapshot ? [{ filename: 'snapshot.jpg', content: input.snapshot, cid: `snapshot-${event.id}`, contentType: 'image/jpeg' }] : [];
  return { subject, text, html, link, attachments };
}
