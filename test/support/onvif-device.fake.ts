import { createHash, randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake ONVIF camera at the protocol level, for tests (there is no real one here): a WS-Discovery
 * responder over UDP (answers Probe with ProbeMatches to the sender) and the SOAP device and media
 * services over HTTP, answering what the `onvif` client asks (GetSystemDateAndTime, GetServices,
 * GetCapabilities, GetDeviceInformation, GetProfiles, GetStreamUri, GetSnapshotUri). Every call but
 * GetSystemDateAndTime needs a WS-Security UsernameToken whose PasswordDigest
 * (base64(sha1(nonce + created + password)) is right, as a real camera checks it: a wrong password
 * gets the SOAP fault ter:NotAuthorized with HTTP 400.
 */
export interface FakeOnvifProfile {
  token: string;
  name: string;
  width: number;
  height: number;
  fps: number;
  /** the RTSP address GetStreamUri answers (a real RTSP server of the test) */
  streamUri: string;
  snapshotUri?: string;
}

export interface FakeOnvifOptions {
  username: string;
  password: string;
  profiles: FakeOnvifProfile[];
  manufacturer?: string;
  model?: string;
  /** scopes: onvif://www.onvif.org/name/<name>, hardware/<hardware> */
  name?: string;
  hardware?: string;
  /** where the HTTP services listen and what XAddrs say (default 127.0.0.1) */
  httpHost?: string;
  /** UDP address and port of the discovery responder (default 127.0.0.1 and a free port; 3702 with multicast) */
  discoveryHost?: string;
  discoveryPort?: number;
  /** join 239.255.255.250 on the interface with this address (multicast discovery) */
  multicastInterface?: string;
  /** do not answer HTTP at all (a camera that hangs) */
  silent?: boolean;
}

export interface FakeOnvifDevice {
  deviceServiceUrl: string;
  httpPort: number;
  discoveryPort: number;
  endpoint: string;
  /** SOAP actions received, in order ("GetProfiles", ...), and whether each was authorised */
  calls: { action: string; authorised: boolean }[];
  probes: number;
  stop(): Promise<void>;
}

const soap = (body: string) =>
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error">' +
  `<s:Body>${body}</s:Body></s:Envelope>`;

const notAuthorised = soap(
  '<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code>' +
    '<s:Reason><s:Text xml:lang="en">Sender not Authorized</s:Text></s:Reason></s:Fault>',
);

const escapeXml = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function tag(xml: string, name: string): string | null {
  return new RegExp(`<(?:[\\w-]+:)?${name}\\b[^>]*>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`).exec(xml)?.[1]?.trim() ?? null;
}

/** Whether the request's WS-Security UsernameToken proves the password (PasswordDigest, created within 5 minutes). */
export function validUsernameToken(xml: string, username: string, password: string, now = Date.now()): boolean {
  const user = tag(xml, 'Username');
  const digest = tag(xml, 'Password');
  const nonce = tag(xml, 'Nonce');
  const created = tag(xml, 'Created');
  if (user !== username || !digest || !nonce || !created) return false;
  if (Math.abs(Date.parse(created) - now) > 5 * 60_000) return false;
  const expected = createHash('sha1')
    .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created, 'ascii'), Buffer.from(password, 'ascii')]))
    .digest('base64');
  return expected === digest;
}

export async function startFakeOnvifDevice(options: FakeOnvifOptions): Promise<FakeOnvifDevice> {
  const httpHost = options.httpHost ?? '127.0.0.1';
  const endpoint = `urn:uuid:${randomUUID()}`;
  const calls: FakeOnvifDevice['calls'] = [];
  let probes = 0;
  let httpPort = 0;
  const base = () => `http://${httpHost}:${httpPort}`;

  const answer = (action: string, body: string): string | null => {
    const now = new Date();
    switch (action) {
      case 'GetSystemDateAndTime':
        return soap(
          '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>' +
            '<tt:TimeZone><tt:TZ>UTC</tt:TZ></tt:TimeZone><tt:UTCDateTime>' +
            `<tt:Time><tt:Hour>${now.getUTCHours()}</tt:Hour><tt:Minute>${now.getUTCMinutes()}</tt:Minute><tt:Second>${now.getUTCSeconds()}</tt:Second></tt:Time>` +
            `<tt:Date><tt:Year>${now.getUTCFullYear()}</tt:Year><tt:Month>${now.getUTCMonth() + 1}</tt:Month><tt:Day>${now.getUTCDate()}</tt:Day></tt:Date>` +
            '</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>',
        );
      case 'GetServices':
        return soap(
          '<tds:GetServicesResponse>' +
            `<tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>${base()}/onvif/device_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>40</tt:Minor></tds:Version></tds:Service>` +
            `<tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>${base()}/onvif/media_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>40</tt:Minor></tds:Version></tds:Service>` +
            '</tds:GetServicesResponse>',
        );
      case 'GetCapabilities':
        return soap(
          '<tds:GetCapabilitiesResponse><tds:Capabilities>' +
            `<tt:Device><tt:XAddr>${base()}/onvif/device_service</tt:XAddr></tt:Device>` +
            `<tt:Media><tt:XAddr>${base()}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTP_TCP>true</tt:RTP_TCP></tt:StreamingCapabilities></tt:Media>` +
            '</tds:Capabilities></tds:GetCapabilitiesResponse>',
        );
      case 'GetDeviceInformation':
        return soap(
          '<tds:GetDeviceInformationResponse>' +
            `<tds:Manufacturer>${escapeXml(options.manufacturer ?? 'Fakecam')}</tds:Manufacturer><tds:Model>${escapeXml(options.model ?? 'FC-1')}</tds:Model>` +
            '<tds:FirmwareVersion>1.2.3</tds:FirmwareVersion><tds:SerialNumber>SN0001</tds:SerialNumber><tds:HardwareId>HW-1</tds:HardwareId>' +
            '</tds:GetDeviceInformationResponse>',
        );
      case 'GetProfiles':
        return soap(
          '<trt:GetProfilesResponse>' +
            options.profiles
              .map(
                (p) =>
                  `<trt:Profiles token="${p.token}" fixed="true"><tt:Name>${escapeXml(p.name)}</tt:Name>` +
                  `<tt:VideoSourceConfiguration token="vsc"><tt:Name>vsc</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>vs0</tt:SourceToken><tt:Bounds x="0" y="0" width="${p.width}" height="${p.height}"/></tt:VideoSourceConfiguration>` +
                  `<tt:VideoEncoderConfiguration token="vec-${p.token}"><tt:Name>vec-${p.token}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>` +
                  `<tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>` +
                  `<tt:RateControl><tt:FrameRateLimit>${p.fps}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>2048</tt:BitrateLimit></tt:RateControl>` +
                  '</tt:VideoEncoderConfiguration></trt:Profiles>',
              )
              .join('') +
            '</trt:GetProfilesResponse>',
        );
      case 'GetStreamUri':
      case 'GetSnapshotUri': {
        const profile = options.profiles.find((p) => p.token === tag(body, 'ProfileToken'));
        const uri = action === 'GetStreamUri' ? profile?.streamUri : profile?.snapshotUri;
        if (!uri) {
          return soap(`<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:InvalidArgVal</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">No such profile or no ${action === 'GetStreamUri' ? 'stream' : 'snapshot'}</s:Text></s:Reason></s:Fault>`);
        }
        return soap(`<trt:${action}Response><trt:MediaUri><tt:Uri>${escapeXml(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:${action}Response>`);
      }
      default:
        return null;
    }
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (options.silent) return; // hangs, like a camera that accepts and never answers
      const xml = Buffer.concat(chunks).toString('utf8');
      const action = /<(?:[\w-]+:)?Body\b[^>]*>\s*<(?:[\w-]+:)?(\w+)/.exec(xml)?.[1] ?? '';
      const authorised = validUsernameToken(xml, options.username, options.password);
      calls.push({ action, authorised });
      const reply = (status: number, body: string) => {
        response.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' });
        response.end(body);
      };
      if (action !== 'GetSystemDateAndTime' && !authorised) return reply(400, notAuthorised);
      const body = answer(action, xml);
      if (!body) return reply(400, soap('<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>ter:ActionNotSupported</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">Optional Action Not Implemented</s:Text></s:Reason></s:Fault>'));
      reply(200, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, httpHost, resolve));
  httpPort = (server.address() as AddressInfo).port;

  const socket: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('message', (data, remote) => {
    const xml = data.toString('utf8');
    if (!/<(?:[\w-]+:)?Probe\b/.test(xml)) return;
    probes += 1;
    const relatesTo = tag(xml, 'MessageID') ?? '';
    const scopes = [
      'onvif://www.onvif.org/type/video_encoder',
      'onvif://www.onvif.org/Profile/Streaming',
      `onvif://www.onvif.org/name/${encodeURIComponent(options.name ?? 'Fakecam')}`,
      `onvif://www.onvif.org/hardware/${encodeURIComponent(options.hardware ?? 'FC-1')}`,
      'onvif://www.onvif.org/location/garden',
    ].join(' ');
    const matches =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
      `<SOAP-ENV:Header><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${escapeXml(relatesTo)}</wsa:RelatesTo>` +
      '<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>' +
      '<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>' +
      `<wsa:EndpointReference><wsa:Address>${endpoint}</wsa:Address></wsa:EndpointReference>` +
      `<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${escapeXml(scopes)}</d:Scopes><d:XAddrs>${base()}/onvif/device_service</d:XAddrs>` +
      '<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>';
    socket.send(Buffer.from(matches), remote.port, remote.address);
  });
  const discoveryHost = options.multicastInterface ? '0.0.0.0' : (options.discoveryHost ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.discoveryPort ?? 0, discoveryHost, () => resolve());
  });
  if (options.multicastInterface) socket.addMembership('239.255.255.250', options.multicastInterface);

  return {
    deviceServiceUrl: `${base()}/onvif/device_service`,
    httpPort,
    discoveryPort: socket.address().port,
    endpoint,
    calls,
    get probes() {
      return probes;
    },
    async stop() {
      socket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
