import { Module } from '@nestjs/common';
import { LiveBusHandlers } from './live.bus-handlers.js';
import { LiveController } from './live.controller.js';
import { RecorderPresenceService } from './recorder-presence.service.js';
import { RecordingSupervisor } from './recording.supervisor.js';

/** Live cameras (docs/live-cameras.md): recording every camera with a source into clips, the live picture. */
@Module({ controllers: [LiveController, LiveBusHandlers], providers: [RecordingSupervisor, RecorderPresenceService], exports: [RecordingSupervisor] })
export class LiveModule {}
