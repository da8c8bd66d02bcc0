import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSecrets {
  JWT_SECRET: string;
  SECRETS_KEY: string;
}

/**
 * Keys for a local install, made on first start and kept in DATA_DIR/secrets.json (mode 0600).
 * `firstRun` is true when they were just made (so the first admin is being created too).
 */
export function loadOrCreateSecrets(dataDir: string): { secrets: LocalSecrets; firstRun: boolean } {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return { secrets: JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets, firstRun: false };
  mkdirSync(dataDir, { recursive: true });
  const secrets = { JWT_SECRET: randomBytes(32).toString('base64url'), SECRETS_KEY: randomBytes(32).toString('base64url') };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return { secrets, firstRun: true };
}
