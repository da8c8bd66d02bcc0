/** An error with a stable code and a message a user can act on. */
export class CameramonitError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = 'CameramonitError';
  }
}
