import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared look of every panel (chat, admin): `theme.css` (colours, type, buttons, fields,
 * login card). An app serves this folder at `/ui/` and links `/ui/theme.css` before its own CSS.
 */
export const uiAssetsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
