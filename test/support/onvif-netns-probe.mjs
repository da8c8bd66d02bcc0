// Runs inside a network namespace made by a test (see apps/installer/src/onvif/onvif.driver.integration-spec.ts):
// the built ONVIF driver sends a real multicast WS-Discovery probe there and prints what answered, as JSON.
// Usage: node onvif-netns-probe.mjs <path of apps/installer/dist/onvif/onvif.driver.js> <timeoutMs>
const [driverPath, timeoutMs] = process.argv.slice(2);
const { OnvifDriver } = await import(driverPath);
const devices = await new OnvifDriver().discover({ timeoutMs: Number(timeoutMs) });
process.stdout.write(JSON.stringify(devices));
