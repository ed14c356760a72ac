// The rows repositories hand out, named for the layers above (presenters map them to the contract shapes).
export type {
  Agreement as AgreementRow,
  AgreementEvent as AgreementEventRow,
  Charge as ChargeRow,
  ChargeAttempt as ChargeAttemptRow,
  Customer as CustomerRow,
  Plan as PlanRow,
  Refund as RefundRow,
} from "../generated/prisma/client.ts";
