// Once asked, writes to stdout without end (and never a newline).
import { runPlugin } from '@cameramonit/plugin-sdk';

await runPlugin(() => {
  const chunk = 'y'.repeat(16 * 1024);
  setInterval(() => process.stdout.write(chunk), 1);
  return new Promise(() => undefined);
});
