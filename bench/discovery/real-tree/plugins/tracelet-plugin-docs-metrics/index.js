export class DocsMetricsBackend {}
