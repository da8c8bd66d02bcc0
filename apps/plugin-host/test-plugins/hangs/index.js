// Never answers: the host must kill it after 2 s and start it again.
import { runPlugin } from '@cameramonit/plugin-sdk';

await runPlugin(() => new Promise(() => undefined));
