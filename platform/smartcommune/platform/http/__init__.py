"""The HTTP kernel shared by every domain router: errors, tenant resolution, authentication, authorization."""
