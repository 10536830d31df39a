// Announces a VIP to a router over BGP, with BFD watching the path (BFD Down takes the session down at once with
// Cease/BFD Down instead of waiting for the hold timer), inside a generic host. The settings are in
// appsettings.json and can be overridden on the command line; a bad one stops the host at start, naming it.
// Stopping the host (Ctrl+C, SIGTERM) sends the router Cease "Administrative Shutdown". Only the packages' public API.
//
//   dotnet run --project samples/EmbeddedAnnouncer -- \
//     --Bgp:Peers:0:Address 192.0.2.1 --Bgp:Peers:0:RemoteAs 64512 --Bgp:Peers:0:LocalAddress 192.0.2.10 \
//     --Bgp:LocalAs 64513 --Bgp:RouterId 192.0.2.10 --Bgp:Announcements:0:Prefixes:0 198.51.100.10/32
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddBgpSpeaker().BindConfiguration("Bgp");
builder.Services.AddBfd().BindConfiguration("Bfd");
// The sessions as a health check: in ASP.NET Core, app.MapHealthChecks("/healthz") serves it.
builder.Services.AddHealthChecks().AddBgpSessions();
await builder.Build().RunAsync();
