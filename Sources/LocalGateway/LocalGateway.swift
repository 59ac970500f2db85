enum LocalGatewayPlaceholder {}
