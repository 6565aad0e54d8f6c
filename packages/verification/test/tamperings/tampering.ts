/** A hand change to a migrated database, and the finding that must name it. */
export interface Tampering {
  change: string;
  statements: string[];
  names: RegExp;
  /**
   * Changes roles, which are shared by every database of a server: run only on the embedded
   * database (a cluster of its own), so parallel suites on the server never see it.
   */
  clusterWide?: true;
  /** Only the behavioural probes (acting as the API roles) can see it: verify runs them too. */
  probes?: true;
}
