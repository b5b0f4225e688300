// Registers the incident endpoints (see sloe/api/incidents.h for the list and incident_json.h for
// the bodies) on a Router: reads require Access::kViewer, changes Access::kResponder; the
// authenticated principal's name is the actor recorded by the IncidentService.
//
// Internal to the api module.
#pragma once

#include "router.h"
#include "sloe/api/incidents.h"

namespace sloe::api {

// REQUIRES: routes.incidents and routes.clock set and outliving the server; called before the
// server starts.
void install_incident_routes(Router& router, const IncidentRoutes& routes);

}  // namespace sloe::api
