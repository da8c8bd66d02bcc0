import { Transport, type MicroserviceOptions } from '@nestjs/microservices';

export const BUS_OPTIONS = Symbol('BUS_OPTIONS');

export interface BusOptions {
  url: string;
  /** the app's name: owner of its outbox rows and part of its MQTT client ids */
  service: string;
  clientIdPrefix: string;
}

/**
 * The app's bus listener: QoS 1 subscriptions on a persistent session (stable client id,
 * clean=false), so events published while the app was down are delivered when it is back.
 */
export function busServerOptions(options: BusOptions, instance = process.env.INSTANCE_ID ?? 'main'): MicroserviceOptions {
  return {
    transport: Transport.MQTT,
    options: {
      url: options.url,
      clientId: `${options.clientIdPrefix}-${options.service}-${instance}`,
      clean: false,
      reconnectPeriod: 1000,
      subscribeOptions: { qos: 1 },
    },
  };
}
