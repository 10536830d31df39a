// Announces one VIP to one router over BGP, with BFD watching the path: if BFD goes down, the BGP
// session drops at once (Cease/BFD Down) instead of waiting for the hold timer, and comes back with
// the route when BFD is up again. Uses only the BgpKit packages' public API.
//
//   dotnet run --project samples/EmbeddedAnnouncer -- \
//     --Announcer:Router 192.0.2.1 --Announcer:RouterAs 64512 \
//     --Announcer:Local 192.0.2.10 --Announcer:LocalAs 64513 --Announcer:Vip 198.51.100.10
using EmbeddedAnnouncer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.Configure<AnnouncerOptions>(builder.Configuration.GetSection("Announcer"));
builder.Services.AddHostedService<VipAnnouncer>();
await builder.Build().RunAsync();
