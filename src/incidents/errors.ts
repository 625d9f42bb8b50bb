export type DomainErrorCode = 'not_found' | 'invalid_state' | 'invalid_input' | 'forbidden';

/** What is wrong with each input, keyed by the input's own property name (`title`, `ownerId`…). */
export type FieldProblems<F extends string = string> = Partial<Record<F, string>>;

/**
 * A rule of the domain was broken; `code` is stable, `message` is shown to the person as is.
 * `field` names the input the message is about (its property name in the service's input), so a form
 * can show it under that input; `fields` holds every input problem found at once (`field` first).
 */
export class DomainError extends Error {
  readonly fields: Readonly<FieldProblems>;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
    fields?: FieldProblems,
  ) {
    super(message);
    this.name = 'DomainError';
    this.fields = fields ?? (field ? { [field]: message } : {});
  }

  /** Every problem found with an input, field by field; the first one is the message. */
  static invalid(problems: FieldProblems): DomainError {
    const entries = Object.entries(problems).filter((e): e is [string, string] => Boolean(e[1]));
    if (!entries.length) throw new Error('DomainError.invalid needs at least one problem');
    return new DomainError('invalid_input', entries[0][1], entries[0][0], Object.fromEntries(entries));
  }
}

/** Throws the problems found with an input together (one DomainError naming each field), if there are any. */
export function refuseInvalid<F extends string>(problems: FieldProblems<F>): void {
  if (Object.values(problems).some(Boolean)) throw DomainError.invalid(problems);
}
