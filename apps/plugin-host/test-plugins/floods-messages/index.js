// Answers every request with thousands of messages.
import mqtt from 'mqtt';
import { runPlugin } from '@cameramonit/plugin-sdk';

const client = await mqtt.connectAsync(process.env.CAMERAMONIT_MQTT_URL, { clientId: process.env.CAMERAMONIT_PLUGIN_CLIENT_ID + '-flood' });
await runPlugin(async (request) => {
  for (let i = 0; i < 5000; i++) client.publish(process.env.CAMERAMONIT_PLUGIN_RESULT_TOPIC, JSON.stringify({ requestId: request.requestId + '-' + i }), { qos: 0 });
  return new Promise(() => undefined);
});
