import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { repoRoot } from './platform.harness.js';

export interface ComposeService {
  environment?: Record<string, string>;
  networks?: Record<string, { ipv4_address?: string }>;
  profiles?: string[];
  devices?: string[];
}

/** Resolve YAML merge keys (`<<: *anchor`) the way Compose does. */
function merged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(merged);
  if (!value || typeof value !== 'object') return value;
  const { '<<': base, ...own } = value as Record<string, unknown>;
  const bases = (Array.isArray(base) ? base : base ? [base] : []).map(merged) as Record<string, unknown>[];
  return Object.assign({}, ...bases, Object.fromEntries(Object.entries(own).map(([k, v]) => [k, merged(v)])));
}

/** docker-compose.yml's services, merge keys resolved (variables left as written). */
export function composeServices(): Record<string, ComposeService> {
  return (merged(load(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'))) as { services: Record<string, ComposeService> }).services;
}

/** A service's address on the compose network. */
export const composeAddress = (service: ComposeService | undefined) => service?.networks?.cameramonit?.ipv4_address;

/**
 * A value of the compose file with its variables filled in as Compose does: `${NAME}`,
 * `${NAME:-default}` and `${NAME:?message}` (which fails when NAME is not given).
 */
export function interpolate(value: string, variables: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_all, name: string, kind: string | undefined, rest: string) => {
    const given = variables[name];
    if (given !== undefined && given !== '') return given;
    if (kind === '?') throw new Error(`docker-compose.yml needs ${name}: ${rest}`);
    return kind === '-' ? rest : '';
  });
}
