import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redact } from './config.js';

const base = { JWT_SECRET: 'x'.repeat(32), SECRETS_KEY: 'k'.repeat(32) };

describe('loadConfig', () => {
  it('gives embedded defaults: sqlite files under data/, no external broker', () => {
    const config = loadConfig(base, '/srv/app');
    expect(config.database).toEqual({ kind: 'sqlite', location: '/srv/app/data/platform.sqlite' });
    expect(config.registryDatabase).toEqual({ kind: 'sqlite', location: '/srv/app/data/registry.sqlite' });
    expect(config.mqttUrl).toBeUndefined();
    expect(config.ports.chat).toBe(3000);
    expect(config.storageDir).toBe('/srv/app/data/storage');
    expect(config.maxUploadBytes).toBe(2048 * 1024 * 1024);
  });

  it('looks at quiet clips on their key frames first unless ANALYSIS_KEYFRAME_WATCH is false', () => {
    expect(loadConfig(base, '/srv/app').analysis.keyFrameWatch).toBe(true);
    expect(loadConfig({ ...base, ANALYSIS_KEYFRAME_WATCH: 'false' }, '/srv/app').analysis.keyFrameWatch).toBe(false);
    expect(() => loadConfig({ ...base, ANALYSIS_KEYFRAME_WATCH: 'sometimes' }, '/srv/app')).toThrow(/ANALYSIS_KEYFRAME_WATCH/);
  });

  it('keeps the embedded databases in DATA_DIR', () => {
    const config = loadConfig({ ...base, DATA_DIR: '/var/lib/cm' }, '/srv/app');
    expect(config.database.location).toBe('/var/lib/cm/platform.sqlite');
    expect(config.registryDatabase.location).toBe('/var/lib/cm/registry.sqlite');
    expect(config.storageDir).toBe('/var/lib/cm/storage');
  });

  it('derives the registry database on the same MariaDB server', () => {
    const config = loadConfig({ ...base, DATABASE_URL: 'mysql://root:pw@db:3306/cm' }, '/srv');
    expect(config.database).toMatchObject({ kind: 'mysql', database: 'cm' });
    expect(config.registryDatabase).toEqual({ kind: 'mysql', location: 'mysql://root:pw@db:3306/cm_registry', database: 'cm_registry' });
  });

  it('names every wrong setting at once, without printing secret values', () => {
    let error: unknown;
    try {
      loadConfig({ ...base, CHAT_PORT: '99999', MQTT_URL: 'http://broker', DATABASE_URL: 'postgres://u:secretpw@h/db', MAX_UPLOAD_MB: 'lots' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('CHAT_PORT must be a port number');
    expect(message).toContain('MQTT_URL must start with mqtt:');
    expect(message).toContain('DATABASE_URL must start with sqlite:');
    expect(message).toContain('MAX_UPLOAD_MB must be a whole number');
    expect(message).not.toContain('secretpw');
  });

  it('requires the signing and encryption keys', () => {
    expect(() => loadConfig({})).toThrow(/JWT_SECRET is required[\s\S]*SECRETS_KEY is required/);
  });
});

describe('redact', () => {
  it('hides URL passwords and secret setting values', () => {
    const env = { SMTP_URL: 'smtp://mailer:hunter22@mail:587', JWT_SECRET: 'supersecretvalue' };
    expect(redact('connecting smtp://mailer:hunter22@mail:587 with supersecretvalue', env)).toBe('connecting smtp://mailer:***@mail:587 with ***');
  });
});
