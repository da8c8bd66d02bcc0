import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

export type TopicListener = (topic: string, payload: Buffer) => void;

/** Does an MQTT topic filter (`+` one level, `#` the rest) match a topic? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * A plain MQTT connection for traffic that is not Nest's request/event patterns: topics named at
 * run time (one per analyser plugin), raw payloads seen before they are parsed (so their size can
 * be checked first). Used by the plugin host; the apps' own messages go through BusClient.
 */
export class TopicConnection {
  private constructor(private readonly client: MqttClient) {}

  static async open(url: string, clientId: string, options: Pick<IClientOptions, 'clean'> = {}): Promise<TopicConnection> {
    const client = await connectAsync(url, { clientId, clean: options.clean ?? true, reconnectPeriod: 1000, connectTimeout: 5000 });
    return new TopicConnection(client);
  }

  /** Messages on topics matching `filter`, as raw bytes. Returns a function that stops listening. */
  async subscribe(filter: string, listener: TopicListener, qos: 0 | 1 = 1): Promise<() => Promise<void>> {
    const onMessage = (topic: string, payload: Buffer) => {
      if (topicMatches(filter, topic)) listener(topic, payload);
    };
    this.client.on('message', onMessage);
    await this.client.subscribeAsync(filter, { qos });
    return async () => {
      this.client.off('message', onMessage);
      await this.client.unsubscribeAsync(filter).catch(() => undefined);
    };
  }

  /** Publish JSON as `{"pattern": topic, "data": payload}` (the bus's format); resolves when the broker has it (QoS 1). */
  async publish(topic: string, payload: object, qos: 0 | 1 = 1): Promise<void> {
    await this.client.publishAsync(topic, JSON.stringify({ pattern: topic, data: payload }), { qos });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** The payload of a bus message: `data` of a `{pattern, data}` envelope, else the JSON itself. */
export function unwrapBusMessage(json: unknown): unknown {
  if (json && typeof json === 'object' && 'pattern' in json && 'data' in json) return (json as { data: unknown }).data;
  return json;
}
