/**
 * ONVIF discovery (docs/onvif.md): the installer app finds cameras on its network and reads their
 * stream URIs; the admin app asks it over the bus (request/reply). Plain data, no credentials.
 */

/** A device that answered a WS-Discovery probe. */
export interface DiscoveredOnvifDevice {
  /** host:port of its device service: what inspect takes */
  address: string;
  /** its device service URL (XAddr) */
  deviceServiceUrl: string;
  /** WS-Discovery endpoint id (urn:uuid:...), stable across restarts of the device */
  endpoint: string;
  /** from its scopes (onvif://www.onvif.org/name/...), as the maker set them */
  name: string | null;
  hardware: string | null;
  location: string | null;
  /** true: it refuses to describe itself without a user and password; null: not known */
  needsCredentials: boolean | null;
}

export interface OnvifStreamProfile {
  token: string;
  name: string;
  encoding: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  bitrateKbps: number | null;
  /** RTSP address of the stream, without credentials (they are the camera's user and password) */
  streamUri: string | null;
  snapshotUri: string | null;
}

export interface OnvifDeviceDescription {
  address: string;
  manufacturer: string | null;
  model: string | null;
  firmwareVersion: string | null;
  serialNumber: string | null;
  hardwareId: string | null;
  profiles: OnvifStreamProfile[];
  /** the profile to record: the largest picture */
  mainProfileToken: string | null;
  /** the profile for analysis and live boxes: the smallest other picture, if any */
  subProfileToken: string | null;
}

export interface OnvifDiscoverRequest {
  /** how long to listen for answers (default 3000, 500..15000) */
  timeoutMs?: number;
  /** probe this host (host or host:port, port 3702 by default) instead of the local network's multicast group */
  address?: string;
}

export interface OnvifInspectRequest {
  /** host, host:port or the device service URL */
  address: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

/** Request/reply over the bus carries errors as data: the asking app turns them back into CameramonitError. */
export type BusReply<T> = { ok: true; value: T } | { ok: false; code: string; message: string; httpStatus: number };
