import { describe, expect, it } from 'vitest';
import { parseDeviceAddress, probeMessage } from './onvif.driver.js';

describe('parseDeviceAddress', () => {
  it('takes a host, host:port or the device service URL', () => {
    expect(parseDeviceAddress('192.168.1.64')).toEqual({ hostname: '192.168.1.64', port: 80, path: '/onvif/device_service' });
    expect(parseDeviceAddress(' 192.168.1.64:8000 ')).toEqual({ hostname: '192.168.1.64', port: 8000, path: '/onvif/device_service' });
    expect(parseDeviceAddress('http://cam.local:8080/onvif/device_service')).toEqual({ hostname: 'cam.local', port: 8080, path: '/onvif/device_service' });
    expect(parseDeviceAddress('http://[fe80::1]/onvif/dev')).toEqual({ hostname: 'fe80::1', port: 80, path: '/onvif/dev' });
  });

  it('refuses what is not an address, saying what to give', () => {
    expect(() => parseDeviceAddress('http://')).toThrow(/host, host:port or http:\/\/host:port\/onvif\/device_service/);
    expect(() => parseDeviceAddress('cam:notaport')).toThrow(/not a camera address/);
  });
});

describe('probeMessage', () => {
  it('is a WS-Discovery Probe for ONVIF video transmitters with the message id', () => {
    const xml = probeMessage('1234');
    expect(xml).toContain('<wsa:MessageID xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">urn:uuid:1234</wsa:MessageID>');
    expect(xml).toContain('http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe');
    expect(xml).toContain('<Types>dn:NetworkVideoTransmitter</Types>');
  });
});
