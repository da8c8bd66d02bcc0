// Dies on every request (after saying so on stderr).
import { runPlugin } from '@cameramonit/plugin-sdk';

await runPlugin(() => {
  process.stderr.write('about to fall over\n');
  process.exit(3);
});
