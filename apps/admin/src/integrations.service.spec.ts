import { describe, expect, it } from 'vitest';
import { normaliseBaseUrl } from './integrations.service.js';

describe("a vision model's base URL", () => {
  it('takes OpenAI, Ollama, vLLM and LM Studio roots, without a trailing slash', () => {
    expect(normaliseBaseUrl('https://api.openai.com/v1/')).toBe('https://api.openai.com/v1');
    expect(normaliseBaseUrl(' http://127.0.0.1:11434/v1 ')).toBe('http://127.0.0.1:11434/v1');
    expect(normaliseBaseUrl('http://gpu-box:8000/v1')).toBe('http://gpu-box:8000/v1');
    expect(normaliseBaseUrl('http://localhost:1234/v1')).toBe('http://localhost:1234/v1');
  });

  it('refuses what is not an http(s) API root, saying why', () => {
    expect(() => normaliseBaseUrl('api.openai.com')).toThrow(/not a URL/);
    expect(() => normaliseBaseUrl('ftp://host/v1')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => normaliseBaseUrl('https://user:sk-secret@host/v1')).toThrow(/put the key in apiKey/);
    expect(() => normaliseBaseUrl('https://host/v1?key=1')).toThrow(/no \?query/);
  });
});
