/** 整改状态 — OPEN (交办) → RECTIFYING (整改中) → RECTIFIED (已整改) → CLOSED (销号). */
export enum RectificationStatus {
  OPEN = 'OPEN',
  RECTIFYING = 'RECTIFYING',
  RECTIFIED = 'RECTIFIED',
  CLOSED = 'CLOSED',
}

/** 问题类别 — what an audit finding is about (the speech's 社会救助 audit). */
export enum RectificationCategory {
  FAVORITISM = 'FAVORITISM',
  FUNDS_MISUSE = 'FUNDS_MISUSE',
  FRAUD = 'FRAUD',
  NEGLECT = 'NEGLECT',
  MANAGEMENT = 'MANAGEMENT',
  OTHER = 'OTHER',
}

/**
 * The lifecycle: forward one step at a time; a RECTIFIED item whose
 * verification fails goes back to RECTIFYING. CLOSED is left only by a
 * recurring 回头看 (see {@link statusAfterReview}), never by a transition.
 */
export const ALLOWED_TRANSITIONS: Record<RectificationStatus, RectificationStatus[]> = {
  OPEN: [RectificationStatus.RECTIFYING],
  RECTIFYING: [RectificationStatus.RECTIFIED],
  RECTIFIED: [RectificationStatus.CLOSED, RectificationStatus.RECTIFYING],
  CLOSED: [],
};

export function canTransition(from: RectificationStatus, to: RectificationStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/**
 * Problems with closing (销号), as [field, message] pairs: a note is required,
 * and the verifier must be someone other than the person responsible.
 */
export function closingProblems(input: { verifier?: string | null; note?: string | null }, responsiblePerson: string): [string, string][] {
  const problems: [string, string][] = [];
  const verifier = input.verifier?.trim() ?? '';
  if (!verifier) problems.push(['verifier', '销号 needs a verifier (核验人)']);
  else if (verifier === responsiblePerson.trim()) problems.push(['verifier', `the verifier must not be the responsible person (${responsiblePerson})`]);
  if (!input.note?.trim()) problems.push(['note', '销号 needs a note on how the rectification was verified']);
  return problems;
}

/** A 回头看 may review only work reported as done: RECTIFIED or CLOSED. */
export function canReview(status: RectificationStatus): boolean {
  return status === RectificationStatus.RECTIFIED || status === RectificationStatus.CLOSED;
}

/**
 * Status after a 回头看: when the problem recurred the item goes back to
 * RECTIFYING (the responsible person already owns it, so it does not restart at
 * OPEN); otherwise the status stays.
 */
export function statusAfterReview(status: RectificationStatus, recurred: boolean): RectificationStatus {
  return recurred ? RectificationStatus.RECTIFYING : status;
}

/** Overdue (逾期) on `asOf`: past the deadline and not yet rectified. */
export function isOverdue(status: RectificationStatus, deadline: string, asOf: string): boolean {
  return (status === RectificationStatus.OPEN || status === RectificationStatus.RECTIFYING) && asOf > deadline;
}
