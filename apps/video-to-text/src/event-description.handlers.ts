import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type EventCreatedPayload } from '@cameramonit/contracts';
import { EventDescriptionService } from './event-description.service.js';

/** Each new event is described when its project has a vision model. */
@Controller()
export class EventDescriptionHandlers {
  constructor(private readonly descriptions: EventDescriptionService) {}

  @EventPattern(Topics.eventCreated)
  eventCreated(@Payload() payload: EventCreatedPayload): void {
    if (typeof payload?.eventId === 'string') this.descriptions.enqueue(payload.eventId);
  }
}
