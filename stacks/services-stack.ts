/**
 * A stack of services — one team's (`stacks.by: team`, the default), one service's, or all of them
 * (`single`), as `ServicePolicy.stack` says. Small stacks keep states small, plans fast and parallel, and a bad
 * apply contained to one team.
 */
import { Construct } from 'constructs';
import { addDashboardList, dashboardListName } from '../src/constructs/overview';
import { ServiceTraceHealth } from '../src/constructs/service/service-trace-health';
import type { ServicePlan, ServicePlanInput } from '../src/constructs/service/plan';
import { TraceHealthStack, TraceHealthStackProps } from './base';

export interface ServicesStackProps extends TraceHealthStackProps {
  /** The stack's services, any order (sorted here), each with its plan when computed beforehand. */
  readonly services: readonly (ServicePlanInput & { readonly plan?: ServicePlan })[];
  readonly validateMonitors: boolean;
}

export class ServicesStack extends TraceHealthStack {
  readonly services: readonly ServiceTraceHealth[];

  constructor(scope: Construct, name: string, props: ServicesStackProps) {
    super(scope, name, props);
    const sorted = [...props.services].sort((a, b) => (a.service.name < b.service.name ? -1 : 1));
    this.services = sorted.map((s) => new ServiceTraceHealth(this, { ...s, validateMonitors: props.validateMonitors }));
    addDashboardList(
      this,
      dashboardListName(name),
      this.services.map((s) => s.dashboard),
    );
  }
}
