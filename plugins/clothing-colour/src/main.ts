import { runPlugin } from '@cameramonit/plugin-sdk';
import { clothingColour } from './clothing-colour.handler.js';

// The whole plugin: the SDK connects to the bus and calls the handler for each person event.
await runPlugin((request) => clothingColour(request));
