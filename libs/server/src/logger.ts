import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { redact } from '@cameramonit/config';

const levels: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
/** Nest's start-up chatter (one line per module and route), shown from LOG_LEVEL=debug on. */
const bootContexts = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication', 'NestMicroservice', 'WebSocketsController']);

/** Nest's console logger with the service name, start-up chatter moved to debug, and secrets removed from every line. */
export class ServiceLogger extends ConsoleLogger {
  private readonly debugOn: boolean;

  constructor(service: string, level: LogLevel) {
    super(service, { logLevels: levels.slice(0, levels.indexOf(level) + 1), timestamp: false });
    this.debugOn = levels.indexOf(level) >= levels.indexOf('debug');
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (!this.debugOn && typeof context === 'string' && bootContexts.has(context)) return;
    super.log(message, ...(rest as [string]));
  }

  protected override formatMessage(...args: Parameters<ConsoleLogger['formatMessage']>): string {
    return redact(super.formatMessage(...args));
  }
}
