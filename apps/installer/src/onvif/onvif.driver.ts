/**
 * The only file that talks to the `onvif` package (CommonJS, callback API): WS-Discovery on the
 * local network and, for one device, its information, media profiles, stream and snapshot URIs.
 * Everything it answers is plain data; every failure is a CameramonitError saying what to fix,
 * and never holds the password.
 */
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import type OnvifModule from 'onvif';
import { CameramonitError, splitCredentials, type DiscoveredOnvifDevice as DiscoveredDevice, type OnvifDeviceDescription, type OnvifStreamProfile } from '@cameramonit/contracts';

const onvif = createRequire(import.meta.url)('onvif') as typeof OnvifModule;

// The discovery singleton emits 'error' for any stray datagram; unheard, that would throw.
onvif.Discovery.on('error', () => undefined);

export const wsDiscoveryPort = 3702;
export const wsDiscoveryMulticastAddress = '239.255.255.250';

export interface DiscoverOptions {
  timeoutMs: number;
  /**
   * Probe this host (host or host:port, port 3702 by default) directly instead of the multicast
   * group: for cameras on another subnet, or networks that drop multicast.
   */
  address?: string;
}

export interface InspectOptions {
  /** host, host:port or the device service URL */
  address: string;
  username?: string;
  password?: string;
  timeoutMs: number;
}

/** What a probe match says, before it is a DiscoveredDevice. */
export interface ProbeMatch {
  endpoint: string;
  xaddrs: string[];
  scopes: string[];
}

export class OnvifDriver {
  /** Devices on the local network (multicast probe) or at one address (unicast probe), after `timeoutMs`. */
  async discover(options: DiscoverOptions): Promise<DiscoveredDevice[]> {
    const matches = options.address ? await probeUnicast(options.address, options.timeoutMs) : await probeMulticast(options.timeoutMs);
    const unique = new Map<string, ProbeMatch>();
    for (const match of matches) if (match.xaddrs.length && !unique.has(match.endpoint)) unique.set(match.endpoint, match);
    const devices = [...unique.values()].map(deviceFromMatch);
    // does it describe itself without credentials? (a short unauthenticated GetDeviceInformation)
    await Promise.all(
      devices.map(async (device) => {
        device.needsCredentials = await this.needsCredentials(device.deviceServiceUrl, Math.min(3000, options.timeoutMs));
      }),
    );
    return devices.sort((a, b) => a.address.localeCompare(b.address));
  }

  /** The device's information and its media profiles with stream and snapshot URIs. */
  async describe(options: InspectOptions): Promise<OnvifDeviceDescription> {
    const target = parseDeviceAddress(options.address);
    const cam = new onvif.Cam({
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      username: options.username || undefined,
      password: options.password || undefined,
      timeout: options.timeoutMs,
      autoconnect: false,
      preserveAddress: true,
    });
    const hide = (text: string) => (options.password && options.password.length >= 3 ? text.split(options.password).join('***') : text);
    const call = <T>(what: string, run: (done: (error: Error | null, value?: unknown) => void) => void): Promise<T> =>
      callOnce<T>(run, options.timeoutMs + 1000).catch((error: unknown) => {
        throw describeFailure(error, `${target.hostname}:${target.port}`, what, hide);
      });

    await call('GetSystemDateAndTime', (done) => cam.getSystemDateAndTime(done));
    try {
      await call('GetServices', (done) => cam.getServices(true, done));
    } catch (error) {
      if (error instanceof CameramonitError && error.code !== 'ONVIF_ERROR') throw error;
      await call('GetCapabilities', (done) => cam.getCapabilities(done));
    }
    const info = record(await call<unknown>('GetDeviceInformation', (done) => cam.getDeviceInformation(done)));
    const rawProfiles = await call<unknown>('GetProfiles', (done) => cam.getProfiles(done));
    const profiles: OnvifStreamProfile[] = [];
    for (const raw of Array.isArray(rawProfiles) ? rawProfiles : [rawProfiles]) {
      const profile = profileOf(raw);
      if (!profile) continue;
      if (profile.encoding !== null || profile.width !== null) {
        const stream = record(await call<unknown>('GetStreamUri', (done) => cam.getStreamUri({ protocol: 'RTSP', profileToken: profile.token }, done)));
        profile.streamUri = cleanUri(text(stream.uri));
        // many cameras have no snapshot for some profiles: that is not an error
        const snapshot = await callOnce<unknown>((done) => cam.getSnapshotUri({ profileToken: profile.token }, done), options.timeoutMs + 1000).catch(() => null);
        profile.snapshotUri = cleanUri(text(record(snapshot).uri));
      }
      profiles.push(profile);
    }
    const video = profiles.filter((p) => p.streamUri);
    const area = (p: OnvifStreamProfile) => (p.width ?? 0) * (p.height ?? 0);
    const main = [...video].sort((a, b) => area(b) - area(a))[0] ?? null;
    const sub = [...video].filter((p) => p !== main && p.streamUri !== main?.streamUri).sort((a, b) => area(a) - area(b))[0] ?? null;
    return {
      address: `${target.hostname}:${target.port}`,
      manufacturer: text(info.manufacturer),
      model: text(info.model),
      firmwareVersion: text(info.firmwareVersion),
      serialNumber: text(info.serialNumber),
      hardwareId: text(info.hardwareId),
      profiles,
      mainProfileToken: main?.token ?? null,
      subProfileToken: sub?.token ?? null,
    };
  }

  private async needsCredentials(deviceServiceUrl: string, timeoutMs: number): Promise<boolean | null> {
    try {
      const target = parseDeviceAddress(deviceServiceUrl);
      const cam = new onvif.Cam({ hostname: target.hostname, port: target.port, path: target.path, timeout: timeoutMs, autoconnect: false, preserveAddress: true });
      await callOnce((done) => cam.getDeviceInformation(done), timeoutMs + 500);
      return false;
    } catch (error) {
      return isAuthFailure(error) ? true : null;
    }
  }
}

// ------------------------------------------------------------------ discovery

function probeMulticast(timeoutMs: number): Promise<ProbeMatch[]> {
  return new Promise((resolve, reject) => {
    onvif.Discovery.probe({ timeout: timeoutMs, resolve: false }, (error, found) => {
      // errors here are stray answers that are not probe matches; what did match is still good
      const list = Array.isArray(found) ? found : [];
      if (!list.length && error instanceof Error) return reject(new CameramonitError('DISCOVERY_FAILED', `The discovery probe could not be sent: ${error.message}`, 500));
      resolve(list.flatMap((raw) => matchesOfParsed(raw)));
    });
  });
}

/** The SOAP Probe of WS-Discovery 2005/04 for ONVIF video transmitters (what onvif's Discovery sends). */
export function probeMessage(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    '<Header>' +
    `<wsa:MessageID xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">urn:uuid:${messageId}</wsa:MessageID>` +
    '<wsa:To xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>' +
    '<wsa:Action xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>' +
    '</Header>' +
    '<Body><Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery"><Types>dn:NetworkVideoTransmitter</Types><Scopes /></Probe></Body>' +
    '</Envelope>'
  );
}

/** A WS-Discovery probe sent straight to one host; every ProbeMatches answer within `timeoutMs`. */
function probeUnicast(address: string, timeoutMs: number): Promise<ProbeMatch[]> {
  const { host, port } = parseHostPort(address, wsDiscoveryPort);
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const matches: ProbeMatch[] = [];
    const message = Buffer.from(probeMessage(randomUUID()));
    const timer = setTimeout(() => {
      socket.close();
      resolve(matches);
    }, timeoutMs);
    socket.on('message', (data) => matches.push(...parseProbeMatches(data.toString('utf8'))));
    socket.on('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(new CameramonitError('DISCOVERY_FAILED', `The discovery probe to ${host}:${port} could not be sent: ${error.message}`, 502));
    });
    socket.send(message, port, host);
  });
}

/** ProbeMatch entries of a WS-Discovery answer (namespace prefixes vary by maker, so they are ignored). */
export function parseProbeMatches(xml: string): ProbeMatch[] {
  const local = (name: string) => new RegExp(`<(?:[\\w.-]+:)?${name}\\b[^>]*>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`, 'g');
  return [...xml.matchAll(local('ProbeMatch'))].map((block) => {
    const body = block[1] ?? '';
    const first = (name: string) => (local(name).exec(body)?.[1] ?? '').trim();
    const endpointBlock = first('EndpointReference');
    return {
      endpoint: (local('Address').exec(endpointBlock)?.[1] ?? '').trim(),
      xaddrs: first('XAddrs').split(/\s+/).filter(Boolean),
      scopes: first('Scopes').split(/\s+/).filter(Boolean).map(decodeXml),
    };
  });
}

/** The probe matches in what onvif's Discovery answers with `resolve: false` (xml2js objects, prefixes stripped). */
function matchesOfParsed(raw: unknown): ProbeMatch[] {
  const matches = record(record(raw).probeMatches).probeMatch;
  return (Array.isArray(matches) ? matches : [matches]).filter(Boolean).map((match) => {
    const m = record(match);
    const scopes = m.scopes;
    const scopesText = typeof scopes === 'string' ? scopes : text(record(scopes)._) ?? '';
    return {
      endpoint: text(record(m.endpointReference).address) ?? '',
      xaddrs: (text(m.XAddrs) ?? '').split(/\s+/).filter(Boolean),
      scopes: scopesText.split(/\s+/).filter(Boolean),
    };
  });
}

function deviceFromMatch(match: ProbeMatch): DiscoveredDevice {
  const url = match.xaddrs.find((x) => /^http:/i.test(x)) ?? match.xaddrs[0] ?? '';
  const target = parseDeviceAddress(url);
  const scope = (kind: string) => {
    const found = match.scopes.find((s) => s.toLowerCase().startsWith(`onvif://www.onvif.org/${kind}/`));
    return found ? safeDecode(found.slice(`onvif://www.onvif.org/${kind}/`.length)).replace(/_/g, ' ') : null;
  };
  return {
    address: `${target.hostname}:${target.port}`,
    deviceServiceUrl: url,
    endpoint: match.endpoint || url,
    name: scope('name'),
    hardware: scope('hardware'),
    location: scope('location'),
    needsCredentials: null,
  };
}

// ------------------------------------------------------------------ helpers

/** "host", "host:port" or "http://host:port/path" -> where the device service is (port 80, /onvif/device_service by default). */
export function parseDeviceAddress(address: string): { hostname: string; port: number; path: string } {
  const trimmed = address.trim();
  const withScheme = /^https?:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CameramonitError('INVALID_ADDRESS', `"${trimmed.slice(0, 100)}" is not a camera address: give host, host:port or http://host:port/onvif/device_service`, 400);
  }
  if (!url.hostname) throw new CameramonitError('INVALID_ADDRESS', 'Give the camera\'s address: host, host:port or http://host:port/onvif/device_service', 400);
  const path = url.pathname && url.pathname !== '/' ? url.pathname : '/onvif/device_service';
  return { hostname: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), path };
}

function parseHostPort(address: string, defaultPort: number): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?(?::(\d{1,5}))?$/.exec(address.trim());
  const port = Number(match?.[2] ?? defaultPort);
  if (!match?.[1] || !/^[\w.:-]+$/.test(match[1]) || port < 1 || port > 65535) {
    throw new CameramonitError('INVALID_ADDRESS', `"${address.slice(0, 100)}" is not an address to probe: give host or host:port`, 400);
  }
  return { host: match[1], port };
}

/** Calls a callback API once, settling on its first answer (onvif may call back twice on odd replies) or a timeout. */
function callOnce<T>(run: (done: (error: Error | null, value?: unknown) => void) => void, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new Error('Network timeout'));
    }, timeoutMs);
    try {
      run((error, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value as T);
      });
    } catch (error) {
      settled = true;
      clearTimeout(timer);
      reject(error as Error);
    }
  });
}

function isAuthFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /not ?authori[sz]ed|unauthori[sz]ed|authentication failed|401|sender not authorized|password/i.test(message);
}

/** A clear error for a failed call: wrong credentials 401, nothing there 502, too slow 504, anything else 502. */
function describeFailure(error: unknown, where: string, what: string, hide: (text: string) => string): CameramonitError {
  if (error instanceof CameramonitError) return error;
  const message = hide(error instanceof Error ? error.message : String(error));
  const code = (error as NodeJS.ErrnoException)?.code;
  if (isAuthFailure(error)) return new CameramonitError('ONVIF_UNAUTHORIZED', `The camera at ${where} refused the user name or password (${what}); check them in the camera's own settings`, 401);
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new CameramonitError('ONVIF_UNREACHABLE', `No ONVIF device answers at ${where} (${code}); check the address and that the camera is on`, 502);
  }
  if (/timeout|ETIMEDOUT|ESOCKETTIMEDOUT/i.test(message)) return new CameramonitError('ONVIF_TIMEOUT', `The camera at ${where} did not answer ${what} in time`, 504);
  return new CameramonitError('ONVIF_ERROR', `The camera at ${where} could not answer ${what}: ${message.slice(0, 300)}`, 502);
}

function profileOf(raw: unknown): OnvifStreamProfile | null {
  const profile = record(raw);
  const token = text(record(profile.$).token);
  if (!token) return null;
  const encoder = record(profile.videoEncoderConfiguration);
  const resolution = record(encoder.resolution);
  const rate = record(encoder.rateControl);
  return {
    token,
    name: text(profile.name) ?? token,
    encoding: text(encoder.encoding),
    width: number(resolution.width),
    height: number(resolution.height),
    fps: number(rate.frameRateLimit),
    bitrateKbps: number(rate.bitrateLimit),
    streamUri: null,
    snapshotUri: null,
  };
}

/** A URI the camera gave, without any credentials it put in it. */
function cleanUri(uri: string | null): string | null {
  return uri ? splitCredentials(uri.trim()).url : null;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}
function number(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}
function decodeXml(value: string): string {
  return value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

