// What verify checks, asks and finds: shared by the check of each API and by the shells.
import type { TokenInfo } from '../google/tokeninfo.ts';
import type { GeminiApi } from '../inputs.ts';
import type { AuthType } from '../token.ts';

/** What verify checks. */
export type VerifyTarget =
  | {
      readonly api: 'generativelanguage';
      /** verify_model as `models/ID`: it must be listed, and countTokens on it must work. */
      readonly model: string | undefined;
    }
  | {
      readonly api: 'vertex';
      readonly project: string;
      readonly location: string;
      readonly modelId: string;
      /** verify_model was set: countTokens on it, in the project and location, must work too. */
      readonly callModel: boolean;
    };

export interface VerifyRequest {
  readonly accessToken: string;
  readonly authType: AuthType;
  readonly quotaProjectId: string | undefined;
  /** Who the token acts as, and the IAM member that names it, where known: fixes name them. */
  readonly principal: string | undefined;
  readonly member: string | undefined;
  readonly target: VerifyTarget;
}

export interface Verification {
  readonly api: GeminiApi;
  readonly tokenInfo: TokenInfo | undefined;
  /** The models found: every one the Gemini API lists, or the one Vertex AI looked up. */
  readonly models: readonly string[];
  /** The model that countTokens proved callable (with verify_model). */
  readonly callable: string | undefined;
}
