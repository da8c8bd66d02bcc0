import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type CameraChangedPayload } from '@cameramonit/contracts';
import { RecordingSupervisor } from './recording.supervisor.js';

/** The admin app changed a camera: look at the cameras now rather than at the next round. */
@Controller()
export class LiveBusHandlers {
  constructor(private readonly supervisor: RecordingSupervisor) {}

  @EventPattern(Topics.cameraChanged)
  async cameraChanged(@Payload() payload: CameraChangedPayload): Promise<void> {
    if (!payload?.cameraId) return;
    await this.supervisor.reconcile();
    // a changed password or address deserves an attempt now, not after the wait for a wrong one
    this.supervisor.recorderOf(payload.cameraId)?.retryNow();
  }
}
