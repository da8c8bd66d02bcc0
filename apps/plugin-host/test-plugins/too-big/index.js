// Answers with a 2 MB message.
import { runPlugin } from '@cameramonit/plugin-sdk';

await runPlugin(() => ({ features: { junk: 'z'.repeat(2 * 1024 * 1024) } }));
