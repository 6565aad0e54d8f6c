export {
  AffiliateClickRepository,
  type CallerClick,
  type ClickInput,
  type ConversionInput,
  type CorrectionInput,
  conversionInput,
} from './affiliate-clicks';
export {
  AnalyticsRepository,
  type AttributionDimension,
  analyticsQueries,
  type Granularity,
  granularities,
  type Period,
  periodInput,
} from './analytics';
export type { AuthOptions } from './auth/access-tokens';
export type { IssuedAnonymousId } from './auth/anonymous-ids';
export {
  InvalidTokenError,
  SigningKeysUnavailableError,
  TokenExpiredError,
  type TokenRefusal,
} from './auth/errors';
export { CategoryRepository } from './categories';
export {
  AccessDeniedError,
  ConflictError,
  ConstraintViolationError,
  DatabaseError,
  type DatabaseErrorDetails,
  DatabaseUnavailableError,
  NotFoundError,
  QuotaExceededError,
  RepositoryError,
  ValidationError,
  type ValidationIssue,
} from './errors';
export {
  derivePreferences,
  PREFERENCE_ALGORITHM_VERSION,
  PreferenceJob,
  type RecalculationProgress,
} from './preference-job';
export { type ErasureReport, PrivacyRepository, type UserDataExport } from './privacy';
export { ProductViewRepository, type ViewInput } from './product-views';
export { type CatalogueProduct, ProductRepository } from './products';
export { type FeedbackInput, RecommendationFeedbackRepository } from './recommendation-feedback';
export { type RecommendationInput, RecommendationRepository } from './recommendations';
export {
  createRepositories,
  type Repositories,
  type RepositoryOptions,
  type ScopedRepositories,
} from './repositories';
export {
  SessionAnalyticsRepository,
  type SessionEnd,
  type SessionStart,
  type SessionTouch,
  sessionEndInput,
  sessionTouchInput,
} from './session-analytics';
export type { Page } from './sql';
export { type SwipeInput, SwipeRepository, type SwipeSessionInput } from './swipes';
export { TrainingFeedRepository } from './training-feed';
export {
  type PreferenceEdits,
  preferenceEditsInput,
  UserPreferencesRepository,
} from './user-preferences';
