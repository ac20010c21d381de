/** The stored shape of secrets; plain JSON so that the state file is a direct dump of it. */

export interface Tag {
  Key: string;
  Value: string;
}

export interface RotationRules {
  AutomaticallyAfterDays?: number;
  ScheduleExpression?: string;
  Duration?: string;
}

/** A secret value: exactly one of the two members is set. Binary is kept base64-encoded. */
export type SecretValue = { kind: 'string'; text: string } | { kind: 'binary'; base64: string };

export interface StoredVersion {
  versionId: string;
  /** Absent on the empty AWSPENDING placeholder that RotateSecret creates. */
  value?: SecretValue;
  createdDate: number;
  lastAccessedDate?: number;
  /** Staging labels in the order they were attached; a version without labels is deprecated. */
  stages: string[];
}

export interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  type?: string;
  createdDate: number;
  lastChangedDate: number;
  lastAccessedDate?: number;
  /** When DeleteSecret was called; its presence means "scheduled for deletion". */
  deletedDate?: number;
  /** When the scheduled deletion takes effect. */
  deletionDate?: number;
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  rotationRules?: RotationRules;
  lastRotatedDate?: number;
  nextRotationDate?: number;
  /** Absent until the first TagResource (Describe omits `Tags` until then). */
  tags?: Tag[];
  /** The token of a CreateSecret that made no version, so that its retry is recognised. */
  createToken?: string;
  /** In creation order. */
  versions: StoredVersion[];
}

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';
