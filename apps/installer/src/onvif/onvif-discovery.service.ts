import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@cameramonit/config';
import { APP_CONFIG } from '@cameramonit/server';
import { CameramonitError, type BusReply, type DiscoveredOnvifDevice, type OnvifDeviceDescription, type OnvifDiscoverRequest, type OnvifInspectRequest } from '@cameramonit/contracts';
import { OnvifDriver } from './onvif.driver.js';

export const discoverTimeout = { default: 3000, min: 500, max: 15_000 };
export const inspectTimeout = { default: 8000, min: 1000, max: 30_000 };

const clamp = (value: number | undefined, bounds: { default: number; min: number; max: number }) =>
  Math.min(bounds.max, Math.max(bounds.min, Number.isFinite(value) ? (value as number) : bounds.default));

/**
 * ONVIF discovery from the installer's network (docs/onvif.md): the installer runs where the
 * cameras are, so multicast WS-Discovery reaches them; the admin app asks over the bus.
 */
@Injectable()
export class OnvifDiscoveryService {
  private readonly logger = new Logger(OnvifDiscoveryService.name);
  private readonly driver = new OnvifDriver();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async discover(request: OnvifDiscoverRequest): Promise<DiscoveredOnvifDevice[]> {
    const timeoutMs = clamp(request.timeoutMs, discoverTimeout);
    if (!request.address && !this.config.onvifDiscoveryMulticast) {
      throw new CameramonitError('MULTICAST_DISCOVERY_OFF', "This installer does not probe its whole network (ONVIF_DISCOVERY_MULTICAST=false); give the camera's address to probe", 400);
    }
    const devices = await this.driver.discover({ timeoutMs, address: request.address || undefined });
    this.logger.log(`ONVIF discovery ${request.address ? `at ${request.address}` : 'on the local network'}: ${devices.length} device(s) in ${timeoutMs} ms`);
    return devices;
  }

  async inspect(request: OnvifInspectRequest): Promise<OnvifDeviceDescription> {
    if (typeof request.address !== 'string' || !request.address.trim()) throw new CameramonitError('INVALID_ADDRESS', "Give the camera's address (host, host:port or its device service URL)", 400);
    const description = await this.driver.describe({
      address: request.address,
      username: request.username || undefined,
      password: request.password || undefined,
      timeoutMs: clamp(request.timeoutMs, inspectTimeout),
    });
    this.logger.log(`ONVIF camera at ${description.address}: ${description.manufacturer ?? '?'} ${description.model ?? '?'}, ${description.profiles.length} profile(s)`);
    return description;
  }

  /** The same, as a bus reply: errors travel as data (Nest's request/reply would hide them). */
  async reply<T>(work: () => Promise<T>): Promise<BusReply<T>> {
    try {
      return { ok: true, value: await work() };
    } catch (error) {
      if (error instanceof CameramonitError) return { ok: false, code: error.code, message: error.message, httpStatus: error.httpStatus };
      this.logger.error(`ONVIF request failed: ${(error as Error).stack ?? String(error)}`);
      return { ok: false, code: 'ONVIF_ERROR', message: 'The ONVIF request failed on the installer; it was logged', httpStatus: 500 };
    }
  }
}
