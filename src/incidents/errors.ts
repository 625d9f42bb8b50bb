/** A rule of the domain was broken; `code` is stable, `message` is shown to the person as is. */
export class DomainError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_state' | 'invalid_input' | 'forbidden',
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
