export * from './service-dashboard';
export * from './overview-dashboard';
export * from './titles';
export * from './cheat-sheet';
export { catalogLinks, dashboardSearchUrl, datadogLinks, escapeInterpolation } from './links';
export type { DashboardJson, Json, JsonObject, TemplateVariable, Widget } from './widgets';
